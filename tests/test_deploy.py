"""The production deployment, checked without a container engine: the Kubernetes manifests against
the Kubernetes schemas, the compose file against the Compose specification, and what they run
against the suite they run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from services.catalogue import SUITE

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))
K8S_VERSION = "1.31.0"


def documents() -> list[dict]:
    return [d for path in MANIFESTS for d in yaml.safe_load_all(path.read_text()) if d]


@pytest.mark.parametrize("path", MANIFESTS, ids=[p.name for p in MANIFESTS])
def test_kubernetes_manifests_are_valid(path: Path) -> None:
    for document in yaml.safe_load_all(path.read_text()):
        if document:
            kubernetes_validate.validate(document, K8S_VERSION, strict=True)


def test_every_process_is_deployed_probed_scaled_and_protected() -> None:
    kinds: dict[str, set[str]] = {}
    for d in documents():
        kinds.setdefault(d["kind"], set()).add(d["metadata"]["name"])
    names = {s.name for s in SUITE}
    assert names <= kinds["Deployment"] and names <= kinds["Service"]
    assert names <= kinds["HorizontalPodAutoscaler"] and names <= kinds["PodDisruptionBudget"]
    assert {"tuoyu-migrate", "tuoyu-topics"} <= kinds["Job"]
    for d in documents():
        if d["kind"] == "Deployment":
            container = d["spec"]["template"]["spec"]["containers"][0]
            assert container["livenessProbe"]["httpGet"]["path"] == "/health"
            assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
            assert d["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
            assert d["spec"]["replicas"] >= 2
            secrets = [e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"] if "valueFrom" in e]
            assert secrets and set(secrets) == {"tuoyu-secrets"}  # secrets by reference only
            private = [e for e in container["env"] if e["name"] == "TUOYU_JWT_PRIVATE_KEY"]
            assert bool(private) == (d["metadata"]["name"] == "gateway")  # only the gateway signs


def test_the_compose_file_follows_the_compose_specification() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(DEPLOY / "compose.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"kafka-1", "kafka-2", "kafka-3", "postgres", "migrate", "topics"} <= set(services)
    for info in SUITE:
        assert services[info.name]["deploy"]["replicas"] == 2
        assert services[info.name]["command"] == [info.name]
    kafka = services["kafka-1"]["environment"]
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller" and kafka["KAFKA_MIN_INSYNC_REPLICAS"] == 2


def test_the_image_runs_as_a_non_root_user_and_serves_a_chosen_process() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "USER 10001" in dockerfile and 'ENTRYPOINT ["tuoyu", "serve"]' in dockerfile
    assert dockerfile.count("FROM python:3.11-slim") == 2  # built in one stage, run from a clean one


def test_the_kafka_acls_are_the_table_of_readers() -> None:
    from services.acls import acl_script, k8s_manifest
    from shared.subscriptions import readable_topics

    assert (DEPLOY / "kafka-acls.sh").read_text() == acl_script(), "regenerate: tuoyu acls > deploy/kafka-acls.sh"
    assert (DEPLOY / "k8s" / "15-kafka-acls.yaml").read_text() == k8s_manifest(), "regenerate: tuoyu acls --k8s > deploy/k8s/15-kafka-acls.yaml"
    commands = [line for line in acl_script().splitlines() if line.startswith('"$ACLS"')]
    police = [c for c in commands if "User:gongan-441800 " in c]
    assert police[0].endswith(" ".join(f"--topic {t}" for t in readable_topics("gongan"))) and "--operation Describe" in police[0]
    assert "--group gongan.441800. --resource-pattern-type prefixed" in police[1]
    assert "tuoyu.subsidy.ledger" not in police[0]
    assert not [c for c in commands if "-441821" in c]  # county offices read through the feed, which keeps to their county

    kafka = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    broker = kafka["kafka-1"]["environment"]
    assert broker["KAFKA_AUTHORIZER_CLASS_NAME"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert broker["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false" and broker["KAFKA_SUPER_USERS"]
    assert "BUREAU:SASL_PLAINTEXT" in broker["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]
    assert kafka["acls"]["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    assert "./kafka-acls.sh:/opt/tuoyu/kafka-acls.sh:ro" in kafka["acls"]["volumes"]
    jobs = {d["metadata"]["name"]: d for d in documents() if d["kind"] == "Job"}
    assert jobs["tuoyu-kafka-acls"]["spec"]["template"]["spec"]["initContainers"][0]["name"] == "wait-for-topics"
