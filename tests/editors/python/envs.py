"""Flyte 2 task environments for the editor tests (tests/editors/run.sh). The pod template has
one mistake only flyte-lsp knows (FLY105 on line 15) and one a type checker reports (the
misspelt keyword on line 16, which flyte-lsp leaves to Pyright in the editor)."""

import flyte
from kubernetes.client import V1Container, V1PodSpec

pod = flyte.PodTemplate(
    primary_container_name="primary",
    labels={"team": "ml"},
    pod_spec=V1PodSpec(
        containers=[
            V1Container(
                name="primary",
                image_pull_policy="Sometimes",
                termination_message_polcy="File",
            ),
        ],
    ),
)

train = flyte.TaskEnvironment(name="train", image="ghcr.io/acme/train:1.0", pod_template=pod)

serve = flyte.TaskEnvironment(
    name="serve",
    image="ghcr.io/acme/serve:2.0",
    resources=flyte.Resources(cpu="1", memory="2Gi"),
)


@train.task
async def fit(steps: int) -> int:
    return steps


@serve.task
async def predict(x: float) -> float:
    return x
