"""Import a Python file that defines Flyte task environments and print, with the real flyte SDK,
the pod every task of every environment registers.

Usage: python sdk_render_py.py FILE.py

It runs the file's code: use it only on the project's own test files (`python/` beside this).

The file is imported with importlib under its own stem as the module name (never `__main__`, so
an `if __name__ == "__main__":` block does not run), with the file's folder as the working
directory and first on `sys.path` (the SDK's resolver names the task's module relative to the
working directory, as `flyte run` does). Every `flyte.TaskEnvironment` among the module's globals
(each object once, in definition order) has each of its tasks (`env.tasks`) serialized with
`flyte.extras.serialize(task)`: the `TaskSpec` that `flyte run`/deploy would send, with the default
context (version `serialized`, no code bundle).

Prints one JSON object on stdout:
- {"tasks": [{"env": <environment name>, "task": <task function name>, "own_pod_template": <bool:
  the task's pod_template is not the environment's>, "target": "k8s_pod", "primary_container_name",
  "metadata", "spec"} or {..., "target": "container", "container", "pod_template_name"}, ...]}
  (the pod shapes are those of `sdk_render.py`);
- {"error": "<ExceptionType>: <message>", "stage": "import"|"serialize"} when importing the file
  or serializing one of its tasks raises: the SDK (or the kubernetes models) refuses the file.
Anything the file or the SDK prints goes to stderr; stdout carries only the JSON.
"""

import importlib.util
import os
import sys

from sdk_common import emit, error_result, template_result


def load(path):
    """Imports the file at `path` as the module named after its stem."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    name = os.path.splitext(os.path.basename(path))[0]
    if name == "__main__":
        raise SystemExit("sdk_render_py.py: the file may not be called __main__.py")
    os.chdir(folder)
    sys.path.insert(0, folder)
    sys.dont_write_bytecode = True  # no __pycache__ beside the test files
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    # `inspect.getmodule` (the SDK's resolver) finds the task's module through sys.modules.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def environments(module):
    import flyte

    seen = set()
    for value in list(vars(module).values()):
        if isinstance(value, flyte.TaskEnvironment) and id(value) not in seen:
            seen.add(id(value))
            yield value


def serialize(path):
    """The JSON-able result for one Python file."""
    # Imported outside the `try`: a broken installation must crash, not read as a refusal.
    import flyte.extras

    try:
        module = load(path)
    except Exception as e:  # the SDK (or the kubernetes models) refused the file
        return {**error_result(e), "stage": "import"}
    tasks = []
    try:
        for env in environments(module):
            for task in env.tasks.values():
                spec = flyte.extras.serialize(task)
                tasks.append(
                    {
                        "env": env.name,
                        "task": task.func.__name__,
                        "own_pod_template": task.pod_template is not env.pod_template,
                        **template_result(spec.task_template),
                    }
                )
    except Exception as e:
        return {**error_result(e), "stage": "serialize"}
    return {"tasks": tasks}


def main(path):
    emit(lambda: serialize(path))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: sdk_render_py.py FILE.py")
    main(sys.argv[1])
