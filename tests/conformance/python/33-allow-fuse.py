# `PodTemplate.from_spec(...).allow_fuse()` (as in the pod_capabilities example): the SDK adds
# the annotation `flyte.org/capability-fuse: "true"`, a `smarter-devices/fuse: "1"` request
# and limit and the SYS_ADMIN capability to the primary.
# expect: render
from kubernetes.client import V1Container, V1PodSpec

import flyte

env = flyte.TaskEnvironment(
    name="fuse",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate.from_spec(V1PodSpec(containers=[V1Container(name="primary")])).allow_fuse(),
)


@env.task
def work() -> None:
    pass
