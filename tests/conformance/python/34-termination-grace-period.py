# `flyte.PodTemplate(...).with_termination_grace_period(30)`: the SDK sets
# `terminationGracePeriodSeconds: 30` on the pod spec (and synthesizes the primary).
# expect: render
import flyte

env = flyte.TaskEnvironment(
    name="grace",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(labels={"a": "b"}).with_termination_grace_period(30),
)


@env.task
def work() -> None:
    pass
