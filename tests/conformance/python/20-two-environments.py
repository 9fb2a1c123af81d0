# Two environments in one file, each with its own template and tasks; render picks each by
# `--environment`.
# expect: render
from kubernetes.client import V1Container, V1PodSpec

import flyte

cpu_env = flyte.TaskEnvironment(
    name="cpu",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(labels={"kind": "cpu"}),
)
gpu_env = flyte.TaskEnvironment(
    name="gpu",
    image="nvcr.io/nvidia/pytorch:24.01-py3",
    resources=flyte.Resources(gpu="T4:1"),
    pod_template=flyte.PodTemplate(
        pod_spec=V1PodSpec(containers=[V1Container(name="primary")], runtime_class_name="nvidia")
    ),
)


@cpu_env.task
def prepare() -> None:
    pass


@gpu_env.task
def train() -> None:
    pass


@gpu_env.task
def evaluate() -> None:
    pass
