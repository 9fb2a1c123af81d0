# Import style `from kubernetes import client as k8s`, then `k8s.V1...`, with an affinity.
# expect: render
from kubernetes import client as k8s

import flyte

affinity = k8s.V1Affinity(
    node_affinity=k8s.V1NodeAffinity(
        required_during_scheduling_ignored_during_execution=k8s.V1NodeSelector(
            node_selector_terms=[
                k8s.V1NodeSelectorTerm(
                    match_expressions=[
                        k8s.V1NodeSelectorRequirement(key="zone", operator="In", values=["a", "b"])
                    ]
                )
            ]
        )
    )
)

env = flyte.TaskEnvironment(
    name="k8s_alias",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(
        pod_spec=k8s.V1PodSpec(containers=[k8s.V1Container(name="primary")], affinity=affinity)
    ),
)


@env.task
def work() -> None:
    pass
