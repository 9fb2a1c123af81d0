# `shm` and `secrets` do not appear in the pod spec the SDK registers (shared memory is an
# extended resource, secrets go to the security context); the pod is the template's.
# expect: render
import flyte

env = flyte.TaskEnvironment(
    name="shm_secrets",
    image="python:3.12-slim",
    resources=flyte.Resources(cpu=2, memory="4Gi", shm="auto"),
    secrets=[flyte.Secret(key="api-token", as_env_var="API_TOKEN"), "db-password"],
    pod_template=flyte.PodTemplate(annotations={"a": "b"}),
)


@env.task
def work() -> None:
    pass
