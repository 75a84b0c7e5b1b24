"""deploy/k8s: each kustomization renders, every object passes the Kubernetes schema (offline, strict),
and the objects say what the topology needs: probes, limits, non-root, an HPA and PDBs, the Ingress's
two hosts, the migration Job, and a production overlay that is no demo."""

from urllib.parse import urlsplit

import kubernetes_validate
import pytest
from reflex_base.constants.event import Endpoint

from tests.deploy.deployfiles import (
    KUSTOMIZATIONS,
    READ_ENV,
    ROLES,
    config_data,
    containers,
    env_of,
    named,
    of_kind,
    pod_specs,
    rendered,
)

# The oldest release the managed clusters still run; the schema for it is bundled with the package.
K8S_VERSION = "1.32"
ROLE_DEPLOYMENTS = {"ordering": "hiorder-ordering", "store": "hiorder-store"}
LIVENESS, READINESS = f"/{Endpoint.PING.value}", f"/{Endpoint.HEALTH.value}"

overlays = pytest.mark.parametrize("name", list(KUSTOMIZATIONS))


def pod_labels(deployment: dict) -> dict:
    return deployment["spec"]["template"]["metadata"]["labels"]


def selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


@overlays
def test_every_rendered_object_passes_strict_schema_validation(name):
    objects = rendered(name)
    kinds = {o["kind"] for o in objects}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Job", "ConfigMap",
            "Ingress"} <= kinds
    for obj in objects:
        # SchemaNotFoundError (an unknown kind or apiVersion) fails the test too.
        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)


def test_the_schema_validation_rejects_a_misspelt_field():
    deployment = named(rendered("base"), "Deployment", "hiorder-ordering")
    app = deployment["spec"]["template"]["spec"]["containers"][0]
    app["readinesProbe"] = app.pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


@overlays
def test_every_pod_is_non_root_with_requests_and_limits(name):
    for owner, spec in pod_specs(rendered(name)):
        security = spec["securityContext"]
        assert security["runAsNonRoot"] is True and security["runAsUser"] == 10001, owner
        assert security["seccompProfile"]["type"] == "RuntimeDefault", owner
        assert spec.get("automountServiceAccountToken") is False, owner
        for c in containers(spec):
            assert c["securityContext"]["allowPrivilegeEscalation"] is False, (owner, c["name"])
            assert c["securityContext"]["capabilities"]["drop"] == ["ALL"], (owner, c["name"])
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(c["resources"][kind]), (owner, c["name"], kind)


@overlays
def test_each_role_has_its_deployment_with_readiness_and_liveness_probes(name):
    objects = rendered(name)
    for role, deployment_name in ROLE_DEPLOYMENTS.items():
        spec = named(objects, "Deployment", deployment_name)["spec"]["template"]["spec"]
        (app,) = spec["containers"]
        assert env_of(app)["HIORDER_ROLE"] == role
        ports = {p["name"]: p["containerPort"] for p in app["ports"]}
        for probe, path in (("readinessProbe", READINESS), ("livenessProbe", LIVENESS), ("startupProbe", LIVENESS)):
            get = app[probe]["httpGet"]
            assert get["path"] == path, (deployment_name, probe)
            assert ports.get(get["port"], get["port"]) == ports["http"], (deployment_name, probe)
        # The new release serves only once the migrate Job is through.
        (wait,) = spec["initContainers"]
        assert "alembic current" in " ".join(wait["command"]) and wait["image"] == app["image"]


@overlays
def test_every_role_variable_names_a_role(name):
    seen = set()
    for owner, spec in pod_specs(rendered(name)):
        for c in containers(spec):
            if "HIORDER_ROLE" in env_of(c):
                assert env_of(c)["HIORDER_ROLE"] in ROLES, (owner, c["name"])
                seen.add(env_of(c)["HIORDER_ROLE"])
    assert seen == {"ordering", "store"}
    assert "HIORDER_ROLE" not in config_data(rendered(name)), "the role is per Deployment, not shared config"


@overlays
def test_ordering_scales_on_cpu_from_two_pods_and_both_roles_have_a_disruption_budget(name):
    objects = rendered(name)
    ordering = named(objects, "Deployment", "hiorder-ordering")
    (hpa,) = of_kind(objects, "HorizontalPodAutoscaler")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "hiorder-ordering")
    assert hpa["spec"]["minReplicas"] >= 2 and hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert "replicas" not in ordering["spec"], "the HPA owns ordering's replica count"
    for deployment_name in ROLE_DEPLOYMENTS.values():
        labels = pod_labels(named(objects, "Deployment", deployment_name))
        budgets = [p for p in of_kind(objects, "PodDisruptionBudget")
                   if selects(p["spec"]["selector"]["matchLabels"], labels)]
        assert len(budgets) == 1, deployment_name


@overlays
def test_every_service_selects_one_deployment_on_a_port_it_serves(name):
    objects = rendered(name)
    deployments = of_kind(objects, "Deployment")
    for service in of_kind(objects, "Service"):
        chosen = [d for d in deployments if selects(service["spec"]["selector"], pod_labels(d))]
        assert len(chosen) == 1, service["metadata"]["name"]
        served = {p["name"] for c in chosen[0]["spec"]["template"]["spec"]["containers"] for p in c["ports"]}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= served


@overlays
def test_the_ingress_sends_each_host_to_its_role_with_websocket_timeouts_and_no_affinity(name):
    objects = rendered(name)
    (ingress,) = [i for i in of_kind(objects, "Ingress") if i["metadata"]["name"] == "hiorder"]
    annotations = ingress["metadata"]["annotations"]
    assert ingress["spec"]["ingressClassName"] == "nginx"
    for key in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(annotations[f"nginx.ingress.kubernetes.io/{key}"]) >= 3600
    assert not [a for a in annotations if "affinity" in a or "session-cookie" in a or "upstream-hash" in a]
    services = {s["metadata"]["name"]: s for s in of_kind(objects, "Service")}
    routed = {}
    for rule in ingress["spec"]["rules"]:
        (path,) = rule["http"]["paths"]
        service = services[path["backend"]["service"]["name"]]
        (deployment,) = [d for d in of_kind(objects, "Deployment")
                         if selects(service["spec"]["selector"], pod_labels(d))]
        routed[rule["host"].split(".")[0]] = env_of(deployment["spec"]["template"]["spec"]["containers"][0])
    assert routed["order"]["HIORDER_ROLE"] == "ordering" and routed["store"]["HIORDER_ROLE"] == "store"
    hosts = {r["host"] for r in ingress["spec"]["rules"]}
    assert hosts <= {h for t in ingress["spec"]["tls"] for h in t["hosts"]}
    # QR codes must point at the host that serves the tablets.
    order_host = next(h for h in hosts if h.startswith("order."))
    assert urlsplit(config_data(objects)["PUBLIC_BASE_URL"]).hostname == order_host


@overlays
def test_migrations_run_once_in_a_job_and_not_in_the_serving_pods(name):
    objects = rendered(name)
    (job,) = of_kind(objects, "Job")
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    expected = "setup" if name == "demo" else "upgrade"  # the demo also seeds its store, if none exists
    assert migrate["command"] == ["python", "-m", "hiorder_app", expected]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    for deployment_name in ROLE_DEPLOYMENTS.values():
        app = named(objects, "Deployment", deployment_name)["spec"]["template"]["spec"]["containers"][0]
        assert "command" not in app and "args" not in app, "serving pods run the image's CMD"


@overlays
def test_the_config_names_only_variables_something_reads(name):
    known = READ_ENV
    objects = rendered(name)
    assert set(config_data(objects)) <= known
    for secret in of_kind(objects, "Secret"):
        assert set(secret.get("stringData", {})) | set(secret.get("data", {})) <= known
    refs = {r[k]["name"] for _, spec in pod_specs(objects) for c in containers(spec)
            for r in c.get("envFrom", []) for k in r}
    present = {o["metadata"]["name"] for o in objects if o["kind"] in ("ConfigMap", "Secret")}
    # Production's Secret is the operator's; everything else must be in the render.
    assert refs - present == ({"hiorder-secrets"} if name == "production" else set())


def test_production_is_no_demo():
    objects = rendered("production")
    config = config_data(objects)
    assert config["HIORDER_ENV"] == "production" and "HIORDER_DEMO" not in config
    assert config["SANDBOX_PAY_MOUNTED"] == "false"
    api = urlsplit(config["PAYMENT_API_BASE"])
    assert api.scheme == "https" and "sandbox" not in api.geturl()
    assert not of_kind(objects, "Secret"), "an apply must not overwrite the operator's Secret"
    for obj in objects:
        assert "sandbox" not in obj["metadata"]["name"]
        assert obj["metadata"].get("labels", {}).get("app.kubernetes.io/component") != "sandbox-pay"
    for owner, spec in pod_specs(objects):
        for c in containers(spec):
            assert "HIORDER_DEMO" not in env_of(c) and "sandbox-pay" not in c.get("command", []), owner
            repository, _, tag = c["image"].rpartition(":")
            assert repository and tag not in ("", "latest"), f"{owner}: pin the release, not {c['image']}"


def test_the_demo_runs_the_sandbox_provider_as_its_own_single_pod():
    objects = rendered("demo")
    config = config_data(objects)
    assert config["HIORDER_DEMO"] == "true" and config["SANDBOX_PAY_MOUNTED"] == "false"
    sandbox = named(objects, "Deployment", "hiorder-sandbox-pay")
    assert sandbox["spec"]["replicas"] == 1, "its ledger is in memory"
    (container,) = sandbox["spec"]["template"]["spec"]["containers"]
    command = container["command"]
    port = int(command[command.index("--port") + 1])
    service = named(objects, "Service", "hiorder-sandbox-pay")
    assert selects(service["spec"]["selector"], pod_labels(sandbox))
    api = urlsplit(config["PAYMENT_API_BASE"])
    assert api.hostname == "hiorder-sandbox-pay" and api.port == service["spec"]["ports"][0]["port"]
    assert {p["containerPort"] for p in container["ports"]} == {port}
    # The diner's browser reaches the checkout page through the Ingress.
    checkout_host = urlsplit(config["PAYMENT_CHECKOUT_BASE"]).hostname
    (ingress,) = of_kind(objects, "Ingress")
    backends = {r["host"]: r["http"]["paths"][0]["backend"]["service"]["name"] for r in ingress["spec"]["rules"]}
    assert backends[checkout_host] == "hiorder-sandbox-pay"
