//! The Python module of issue 13's speed figure, shared by `benches/python.rs` (the library,
//! in process) and `benches/lsp_latency.rs` (keystroke → diagnostics over LSP): module
//! constants, then per environment a `flyte.PodTemplate` whose `V1PodSpec` has a primary
//! container (env vars, ports, volume mounts, resources) and a log-shipping native sidecar, volumes,
//! tolerations and a security context, a `flyte.TaskEnvironment` and a task. 50 environments
//! are 2,133 lines (85 kB), and the module has no finding.

const TEAMS: [&str; 5] = ["ml", "data", "search", "ads", "infra"];

const HEADER: &str = r#""""Training and batch environments, one pod template each."""

import flyte
from kubernetes.client import (
    V1Container,
    V1ContainerPort,
    V1EmptyDirVolumeSource,
    V1EnvVar,
    V1PersistentVolumeClaimVolumeSource,
    V1PodSecurityContext,
    V1PodSpec,
    V1ResourceRequirements,
    V1Toleration,
    V1Volume,
    V1VolumeMount,
)

REGISTRY = "ghcr.io/acme"
TAG = "2026.11.3"
LOG_SHIPPER_IMAGE = "ghcr.io/acme/fluent-bit:3.1"
COMMON_LABELS = {"app.kubernetes.io/part-of": "training", "cost-center": "research"}
GPU_TOLERATIONS = [
    V1Toleration(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule"),
    V1Toleration(key="spot", operator="Equal", value="true", effect="NoSchedule"),
]
SHIPPER_RESOURCES = V1ResourceRequirements(
    requests={"cpu": "100m", "memory": "128Mi"},
    limits={"memory": "256Mi"},
)

"#;

/// Environment `i` (42 lines).
fn environment(out: &mut String, i: usize) {
    let team = TEAMS[i % TEAMS.len()];
    out.push_str(&format!(
        r#"DATA_PATH_{i} = "/data/{team}/{i}"

pod_template_{i} = flyte.PodTemplate(
    primary_container_name="primary",
    labels={{**COMMON_LABELS, "team": "{team}", "index": "{i}"}},
    annotations={{"owner": "{team}@acme.example"}},
    pod_spec=V1PodSpec(
        service_account_name="flyte-{team}",
        node_selector={{"kubernetes.io/arch": "amd64"}},
        tolerations=GPU_TOLERATIONS,
        security_context=V1PodSecurityContext(run_as_non_root=True, fs_group=1000),
        containers=[
            V1Container(
                name="primary",
                env=[V1EnvVar(name="MODE", value="prod"), V1EnvVar(name="LOG_LEVEL", value="info")],
                ports=[V1ContainerPort(container_port={port}, name="http")],
                volume_mounts=[V1VolumeMount(name="data", mount_path=DATA_PATH_{i}, read_only=True), V1VolumeMount(name="scratch", mount_path="/scratch")],
                resources=V1ResourceRequirements(limits={{"ephemeral-storage": "20Gi"}}),
            ),
        ],
        init_containers=[V1Container(name="log-shipper", image=LOG_SHIPPER_IMAGE, restart_policy="Always", resources=SHIPPER_RESOURCES)],
        volumes=[
            V1Volume(name="data", persistent_volume_claim=V1PersistentVolumeClaimVolumeSource(claim_name="{team}-data")),
            V1Volume(name="scratch", empty_dir=V1EmptyDirVolumeSource(medium="Memory", size_limit="2Gi")),
        ],
    ),
)

env_{i} = flyte.TaskEnvironment(
    name="{team}_{i}",
    image=f"{{REGISTRY}}/train:{{TAG}}",
    resources=flyte.Resources(cpu=(1, 4), memory="8Gi"),
    env_vars={{"STAGE": "prod", "INDEX": "{i}"}},
    pod_template=pod_template_{i},
)


@env_{i}.task
async def train_{i}(x: int) -> int:
    return x + {i}


"#,
        port = 8000 + i,
    ));
}

/// The module with `environments` environments.
pub fn module(environments: usize) -> String {
    let mut s = String::from(HEADER);
    for i in 0..environments {
        environment(&mut s, i);
    }
    s.push_str(
        "if __name__ == \"__main__\":\n    flyte.init_from_config()\n    flyte.run(train_0, x=1)\n",
    );
    s
}

/// Where a keystroke goes: the byte offset just inside the closing quote of the middle
/// environment's `value="info"`, so typing there keeps the module valid (`"infox"`).
pub fn keystroke_at(text: &str, environments: usize) -> usize {
    let mid = format!("pod_template_{} = ", environments / 2);
    let from = text.find(&mid).unwrap_or(0);
    let needle = "value=\"info";
    text[from..]
        .find(needle)
        .map_or(text.len() / 2, |i| from + i + needle.len())
}
