//! Python examples of the main rules, for `docs/rules.md`: the same mistakes as the rules' YAML
//! examples, written the way Flyte users write them in Python (`flyte.TaskEnvironment`,
//! `flyte.PodTemplate`, the kubernetes client's `V1*` models). `tests/docs.rs` runs each one:
//! the first fires its rule, the second does not.

/// `(code, triggers it, fixed)`.
pub static PYTHON_EXAMPLES: &[(&str, &str, &str)] = &[
    (
        "FLY101",
        "from kubernetes.client import V1Container, V1PodSpec\n\nspec = V1PodSpec(containers=[V1Container(name=\"main\", image=\"python:3.12\", image_pull_secret=\"regcred\")])\n",
        "from kubernetes.client import V1Container, V1PodSpec\n\nspec = V1PodSpec(containers=[V1Container(name=\"main\", image=\"python:3.12\")])\n",
    ),
    (
        "FLY103",
        "import flyte\n\nenv = flyte.TaskEnvironment(name=\"train\", resources=flyte.Resources(memory=1024))\n",
        "import flyte\n\nenv = flyte.TaskEnvironment(name=\"train\", resources=flyte.Resources(memory=\"1Gi\"))\n",
    ),
    (
        "FLY105",
        "from kubernetes.client import V1Container, V1PodSpec\n\nspec = V1PodSpec(containers=[V1Container(name=\"main\", image=\"python:3.12\", image_pull_policy=\"Allways\")])\n",
        "from kubernetes.client import V1Container, V1PodSpec\n\nspec = V1PodSpec(containers=[V1Container(name=\"main\", image=\"python:3.12\", image_pull_policy=\"Always\")])\n",
    ),
    (
        "FLY201",
        "import flyte\n\ntemplate = flyte.PodTemplate(labels={\"team name\": \"ml\"})\n",
        "import flyte\n\ntemplate = flyte.PodTemplate(labels={\"team-name\": \"ml\"})\n",
    ),
    (
        "FLY218",
        "from kubernetes.client import V1Container, V1PodSpec, V1ResourceRequirements\n\nspec = V1PodSpec(containers=[V1Container(name=\"main\", image=\"python:3.12\", resources=V1ResourceRequirements(limits={\"memory\": \"2 GB\"}))])\n",
        "from kubernetes.client import V1Container, V1PodSpec, V1ResourceRequirements\n\nspec = V1PodSpec(containers=[V1Container(name=\"main\", image=\"python:3.12\", resources=V1ResourceRequirements(limits={\"memory\": \"2G\"}))])\n",
    ),
    (
        "FLY227",
        "from kubernetes.client import V1Container, V1PodSpec, V1VolumeMount\n\nspec = V1PodSpec(containers=[V1Container(name=\"main\", image=\"python:3.12\", volume_mounts=[V1VolumeMount(name=\"data\", mount_path=\"/data\")])])\n",
        "from kubernetes.client import V1Container, V1EmptyDirVolumeSource, V1PodSpec, V1Volume, V1VolumeMount\n\nspec = V1PodSpec(\n    containers=[V1Container(name=\"main\", image=\"python:3.12\", volume_mounts=[V1VolumeMount(name=\"data\", mount_path=\"/data\")])],\n    volumes=[V1Volume(name=\"data\", empty_dir=V1EmptyDirVolumeSource())],\n)\n",
    ),
    (
        "FLY301",
        "import flyte\nfrom kubernetes.client import V1Container, V1PodSpec\n\ntemplate = flyte.PodTemplate(primary_container_name=\"main\", pod_spec=V1PodSpec(containers=[V1Container(name=\"primary\")]))\nenv = flyte.TaskEnvironment(name=\"train\", pod_template=template)\n",
        "import flyte\nfrom kubernetes.client import V1Container, V1PodSpec\n\ntemplate = flyte.PodTemplate(primary_container_name=\"primary\", pod_spec=V1PodSpec(containers=[V1Container(name=\"primary\")]))\nenv = flyte.TaskEnvironment(name=\"train\", pod_template=template)\n",
    ),
    (
        "FLY305",
        "import flyte\n\nenv = flyte.TaskEnvironment(name=\"Train Model\")\n",
        "import flyte\n\nenv = flyte.TaskEnvironment(name=\"train-model\")\n",
    ),
    (
        "FLY310",
        "import flyte\n\nenv = flyte.TaskEnvironment(name=\"train\", resources=flyte.Resources(cpu=(1, None)))\n",
        "import flyte\n\nenv = flyte.TaskEnvironment(name=\"train\", resources=flyte.Resources(cpu=(1, 2)))\n",
    ),
];
