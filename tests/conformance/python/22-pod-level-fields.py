# Pod-level fields in snake_case (service account, host network, grace period, DNS config,
# pod security context, scheduler name) come out camelCase, numbers as numbers.
# expect: render
from kubernetes.client import V1Container, V1PodDNSConfig, V1PodSecurityContext, V1PodSpec

import flyte

env = flyte.TaskEnvironment(
    name="pod_fields",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(
        pod_spec=V1PodSpec(
            containers=[V1Container(name="primary")],
            service_account_name="runner",
            host_network=True,
            termination_grace_period_seconds=120,
            active_deadline_seconds=3600,
            dns_config=V1PodDNSConfig(nameservers=["1.1.1.1"], searches=["svc.local"]),
            security_context=V1PodSecurityContext(fs_group=2000, run_as_non_root=True),
            scheduler_name="batch-scheduler",
            enable_service_links=False,
        )
    ),
)


@env.task
def work() -> None:
    pass
