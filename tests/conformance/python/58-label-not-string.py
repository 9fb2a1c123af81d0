# A label value that is not a string: the K8sObjectMetadata protobuf map refuses it
# (TypeError) when the task is serialized.
# expect: refuse FLY103
import flyte

env = flyte.TaskEnvironment(
    name="label_int",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(labels={"replicas": 3}),
)


@env.task
def work() -> None:
    pass
