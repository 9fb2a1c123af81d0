import flyte
from kubernetes.client import V1Container, V1PodSpec

done = flyte.PodTemplate(
    pod_spec=V1PodSpec(containers=[V1Container(name="primary", image_pull_policy="Sometimes")]),
)

typing = flyte.PodTemplate(
    pod_spec=V1PodSpec(
        containers=[V1Container(name="primary", image="x"
