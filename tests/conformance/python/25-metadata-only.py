# A template with only labels and annotations (no `pod_spec`): the SDK synthesizes the
# primary container.
# expect: render
import flyte

env = flyte.TaskEnvironment(
    name="metadata_only",
    image="python:3.12-slim",
    resources=flyte.Resources(memory="1Gi"),
    pod_template=flyte.PodTemplate(
        labels={"app.kubernetes.io/name": "demo", "tier": "batch"},
        annotations={"prometheus.io/scrape": "true"},
    ),
)


@env.task
def work() -> None:
    pass
