# A helper function that builds and returns the PodTemplate (as in the n8n example): the
# template is the function's return value.
# expect: render
from kubernetes.client import V1Container, V1PodSpec

import flyte


def make_template(team: str) -> flyte.PodTemplate:
    return flyte.PodTemplate(
        labels={"team": team},
        pod_spec=V1PodSpec(containers=[V1Container(name="primary", working_dir="/work")]),
    )


env = flyte.TaskEnvironment(
    name="helper_template",
    image="python:3.12-slim",
    env_vars={"A": "1"},
    pod_template=make_template("ml"),
)


@env.task
def work() -> None:
    pass
