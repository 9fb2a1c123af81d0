# An f-string built from module constants (`f"v{VERSION}"`) as a label value, and as the
# image (as in the n8n example, `f"n8nio/n8n:{N8N_VERSION}"`): values Python computes at
# import from what the file itself says.
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
