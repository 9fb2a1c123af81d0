# `image=None` registers an empty image; `image="auto"` (and no image) is the SDK's default
# image for the local Python version, which render writes with a `<python version>`
# placeholder.
# expect: render
import flyte

none_env = flyte.TaskEnvironment(
    name="image_none",
    image=None,
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)
auto_env = flyte.TaskEnvironment(
    name="image_auto",
    image="auto",
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)
default_env = flyte.TaskEnvironment(
    name="image_default",
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@none_env.task
def a() -> None:
    pass


@auto_env.task
def b() -> None:
    pass


@default_env.task
def c() -> None:
    pass
