import flyte
env = flyte.TaskEnvironment( flyte.TaskEnvironment( import os
