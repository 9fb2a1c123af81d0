# An environment name outside snake/kebab case raises ValueError when the TaskEnvironment
# is built (at import).
# expect: refuse FLY305
import flyte

env = flyte.TaskEnvironment(name="Train_Model", image="python:3.12-slim", env_vars={"A": "1"})


@env.task
def work() -> None:
    pass
