# `env.clone_with(bogus=1)`: a keyword clone_with does not take raises TypeError at import.
# expect: refuse FLY322
# render: --environment clone_base
import flyte

base = flyte.TaskEnvironment(name="clone_base", image="python:3.12-slim", env_vars={"A": "1"})
other = base.clone_with(name="clone_other", bogus=1)


@base.task
def work() -> None:
    pass
