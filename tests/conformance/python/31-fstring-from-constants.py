# An f-string built from module constants (`f"v{VERSION}"`) as a label value, and as the
# image (as in the n8n example, `f"n8nio/n8n:{N8N_VERSION}"`). The Python front end does not
# evaluate f-strings: render shows `<run time>` (with a note), which matches the SDK's value;
# evaluating f-strings of constants would make them exact.
# expect: render
import flyte

VERSION = "1.2"
REGISTRY = "ghcr.io/acme"

env = flyte.TaskEnvironment(
    name="fstrings",
    image=f"{REGISTRY}/app:{VERSION}",
    pod_template=flyte.PodTemplate(labels={"version": f"v{VERSION}", "team": "ml"}),
)


@env.task
def work() -> None:
    pass
