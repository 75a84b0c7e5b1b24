"""The image and what runs it agree: the Dockerfile's CMD, EXPOSE, HEALTHCHECK and user against
docker-compose.yml's healthchecks and the proxy's upstreams, and against the Kubernetes containers'
ports, probes and security context. The image carries no tests and no test-only packages."""

import shlex

import pytest
from reflex_base.constants.event import Endpoint

from tests.deploy.deployfiles import (
    KUSTOMIZATIONS,
    ROOT,
    compose,
    http_targets,
    image,
    named,
    nginx_conf,
    rendered,
)

LIVENESS, READINESS = f"/{Endpoint.PING.value}", f"/{Endpoint.HEALTH.value}"
BACKENDS = ("hiorder-ordering", "hiorder-store")


def port() -> int:
    (exposed,) = image().exposed
    return exposed


def test_the_image_runs_one_reflex_backend_on_its_exposed_port_without_migrating():
    cmd = image().cmd
    assert cmd[:4] == ["reflex", "run", "--env", "prod"] and "--single-port" in cmd
    assert cmd[cmd.index("--backend-host") + 1] == "0.0.0.0"
    assert int(cmd[cmd.index("--backend-port") + 1]) == port()
    assert "upgrade" not in cmd and "sh" not in cmd, "migrations run once, in their own job"


def test_the_image_checks_liveness_on_that_port_and_runs_as_uid_10001():
    assert http_targets(image().healthcheck) == [(port(), LIVENESS)]
    assert image().user.split(":")[0] == "10001"


def test_the_image_defaults_to_all_roles_without_the_mounted_sandbox():
    envs = image().envs
    assert envs["HIORDER_ROLE"] == "all"
    assert envs["SANDBOX_PAY_MOUNTED"] == "false"


def test_the_image_holds_no_tests_and_installs_only_the_runtime_requirements():
    copies = [shlex.split(value) for name, value in image().instructions if name in ("COPY", "ADD")]
    sources = [src for args in copies for src in args[:-1] if not src.startswith("--")]
    assert "." not in sources and "./" not in sources, "copying the whole context would bring tests/ in"
    assert not [s for s in sources if s.startswith(("tests", "./tests", "requirements-dev"))]
    installs = [value for name, value in image().instructions if name == "RUN" and "pip install" in value]
    assert installs and all("requirements-dev" not in v for v in installs)
    assert "-r requirements.txt" in " ".join(installs)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"tests", ".venv", ".env"} <= set(ignored)


def test_compose_checks_the_backends_on_the_images_port_and_the_proxy_reaches_them_there():
    services = compose()["services"]
    backends = [n for n, s in services.items() if s.get("build") is not None and "command" not in s]
    assert backends
    for name in backends:
        assert http_targets(" ".join(services[name]["healthcheck"]["test"])) == [(port(), READINESS)], name
    upstreams = [d for d in nginx_conf() if d["directive"] == "upstream"]
    servers = {s["args"][0] for u in upstreams for s in u["block"] if s["directive"] == "server"}
    assert {f"{name}:{port()}" for name in backends} <= servers


@pytest.mark.parametrize("name", list(KUSTOMIZATIONS))
def test_kubernetes_serves_and_probes_the_images_port_and_paths_as_its_user(name):
    objects = rendered(name)
    for deployment_name in BACKENDS:
        spec = named(objects, "Deployment", deployment_name)["spec"]["template"]["spec"]
        (app,) = spec["containers"]
        assert [p["containerPort"] for p in app["ports"]] == [port()]
        assert app["livenessProbe"]["httpGet"]["path"] == http_targets(image().healthcheck)[0][1]
        assert app["readinessProbe"]["httpGet"]["path"] == READINESS
        assert str(spec["securityContext"]["runAsUser"]) == image().user.split(":")[0]
        service = named(objects, "Service", deployment_name)
        assert [p["port"] for p in service["spec"]["ports"]] == [port()]
