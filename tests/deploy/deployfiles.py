"""The deployment files, loaded once per test run: the Dockerfile, docker-compose.yml, the nginx config,
and the Kubernetes objects each kustomization renders to. No network and no container engine needed."""

import copy
import dataclasses
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import crossplane
import pytest
import reflex as rx
import yaml
from dockerfile_parse import DockerfileParser

from hiorder_app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUSTOMIZATIONS = {"base": K8S / "base", "production": K8S / "overlays" / "production",
                  "demo": K8S / "overlays" / "demo"}
ROLES = {"ordering", "store", "all"}
# The variables something reads: our settings, granian's worker count, Reflex's config (REFLEX_<FIELD>).
READ_ENV = ({f.upper() for f in Settings.model_fields} | {"GRANIAN_WORKERS"}
            | {f"REFLEX_{f.name.upper()}" for f in dataclasses.fields(rx.Config)})
_URL = re.compile(r"https?://[^\s\"']+")


@dataclass(frozen=True)
class Image:
    envs: dict[str, str]
    cmd: list[str]
    exposed: list[int]
    healthcheck: str
    user: str
    instructions: list[tuple[str, str]]


def http_targets(text: str) -> list[tuple[int | None, str]]:
    """(port, path) of every http(s) URL in a command line."""
    return [(urlsplit(u).port, urlsplit(u).path) for u in _URL.findall(text)]


def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        # Only on a machine without kubectl; CI's machine kind ships it, so there these tests always run.
        pytest.skip("kubectl is not installed: `kubectl kustomize` renders deploy/k8s (the python-svc image has it)")
    return path


@cache
def _rendered(name: str) -> tuple[dict, ...]:
    out = subprocess.run([kubectl(), "kustomize", str(KUSTOMIZATIONS[name])], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, f"kubectl kustomize {name} failed:\n{out.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(out.stdout) if doc)


def rendered(name: str) -> list[dict]:
    """The objects `kubectl kustomize` renders for base, production or demo (a fresh copy each call)."""
    return copy.deepcopy(list(_rendered(name)))


@cache
def image() -> Image:
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    instructions = [(i["instruction"], i["value"]) for i in parser.structure]
    exposed = [int(p.split("/")[0]) for name, value in instructions if name == "EXPOSE" for p in value.split()]
    health = [value for name, value in instructions if name == "HEALTHCHECK"]
    users = [value for name, value in instructions if name == "USER"]
    return Image(envs=parser.envs, cmd=yaml.safe_load(parser.cmd), exposed=exposed,
                 healthcheck=health[-1] if health else "", user=users[-1] if users else "root",
                 instructions=instructions)


@cache
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@cache
def nginx_conf() -> list[dict]:
    """The parsed directives of deploy/nginx/hiorder.conf (an http-context file, as conf.d/ includes it)."""
    parsed = crossplane.parse(str(ROOT / "deploy" / "nginx" / "hiorder.conf"), single=True, comments=False,
                              check_ctx=False)
    assert parsed["status"] == "ok", parsed["errors"]
    return parsed["config"][0]["parsed"]


def of_kind(objects: list[dict], kind: str) -> list[dict]:
    return [o for o in objects if o["kind"] == kind]


def named(objects: list[dict], kind: str, name: str) -> dict:
    found = [o for o in of_kind(objects, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def containers(pod_spec: dict) -> list[dict]:
    return pod_spec.get("initContainers", []) + pod_spec["containers"]


def pod_specs(objects: list[dict]) -> list[tuple[str, dict]]:
    """(object name, pod spec) of every Deployment and Job."""
    return [(o["metadata"]["name"], o["spec"]["template"]["spec"]) for o in objects
            if o["kind"] in ("Deployment", "Job")]


def env_of(container: dict) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def config_data(objects: list[dict]) -> dict[str, str]:
    (config,) = of_kind(objects, "ConfigMap")
    return config["data"]
