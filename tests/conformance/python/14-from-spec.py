# `flyte.PodTemplate.from_spec(V1PodSpec(...))`: the positional pod spec, the primary found
# as the container named `primary`.
# expect: render
from kubernetes.client import V1Container, V1PodSpec

import flyte

env = flyte.TaskEnvironment(
    name="from_spec",
    image="python:3.12-slim",
    env_vars={"A": "1"},
    pod_template=flyte.PodTemplate.from_spec(
        V1PodSpec(containers=[V1Container(name="primary", tty=True)], host_ipc=False, dns_policy="ClusterFirst")
    ),
)


@env.task
def work() -> None:
    pass
