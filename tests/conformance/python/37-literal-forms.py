# Python literal forms: escapes, a raw string, implicit concatenation, single quotes, a
# tuple where the model wants a list, an explicit `None` (dropped), a `V1EnvVar` without a
# value; and `env_vars=None`.
# expect: render
import flyte
from kubernetes.client import V1Container, V1EnvVar, V1PodSpec

env = flyte.TaskEnvironment(
    name="literals",
    image='python:3.12-slim',
    env_vars=None,
    pod_template=flyte.PodTemplate(
        labels={"a": "b" "c"},
        pod_spec=V1PodSpec(
            containers=(
                V1Container(
                    name="primary",
                    env=[
                        V1EnvVar(name="MSG", value="tab\there \u00e9 \"q\""),
                        V1EnvVar(name="RAW", value=r"a\nb"),
                        V1EnvVar(name="EMPTY"),
                    ],
                    image=None,
                ),
            ),
            node_name=None,
        ),
    ),
)


@env.task
def work() -> None:
    pass
