"""A local project installed the way developers install it, through the installed hook: ``pip
install -e '.[dev]'`` (extras) and a ``file:`` URL run the project's ``setup.py``, which the agent
wrote where the hook could not read it. pip really builds the project here (into ``build/site``,
with no index and no build isolation); the ordinary project (its own in-tree backend) installs.
"""

from __future__ import annotations

import pytest
from tests.support.sequences import Session, check_attack, unseen_into, upload

pytestmark = pytest.mark.sequences

PIP = "python3 -m pip install -q --no-index --no-deps --no-build-isolation --target build/site"
SPECS = ["'.[dev]'", '"file://$PWD"']
SETUP = "from setuptools import setup\nsetup(name='app', version='1', py_modules=['app_marker'], extras_require={'dev': []})\n"


def _leaked(scene, session) -> bool:
    return scene.leaked()


@pytest.mark.parametrize("mode", ["enforce", "observe"])
@pytest.mark.parametrize("spec", SPECS)
def test_a_setup_py_run_by_an_install_with_extras_or_a_file_url(installed, mode, spec):
    def steps(scene):
        return [unseen_into("setup.py", f"import os\nos.system({upload(scene)!r})\n" + SETUP),
                {"tool": "Write", "file_path": "app_marker.py", "content": "x = 1\n"},
                {"tool": "Bash", "command": f"{PIP} {spec}"}]
    check_attack(installed, mode, steps, _leaked)


# (no `wheel` here for setuptools to build one: the ordinary project's backend is its own, in the tree)
PYPROJECT = "[build-system]\nrequires = []\nbuild-backend = 'wheel_of'\nbackend-path = ['tools']\n"
BACKEND = """import zipfile


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = 'app-1-py3-none-any.whl'
    files = {'app_marker.py': open('app_marker.py').read(),
             'app-1.dist-info/METADATA': 'Metadata-Version: 2.1\\nName: app\\nVersion: 1\\nProvides-Extra: dev\\n',
             'app-1.dist-info/WHEEL': 'Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n',
             'app-1.dist-info/RECORD': ''}
    with zipfile.ZipFile(f'{wheel_directory}/{name}', 'w') as wheel:
        for path, text in files.items():
            wheel.writestr(path, text)
    return name
"""


@pytest.mark.parametrize("spec", SPECS)
def test_an_ordinary_project_installs_with_extras(installed, spec):
    session = Session(installed)
    try:
        answers = session.run([{"tool": "Write", "file_path": "pyproject.toml", "content": PYPROJECT},
                               {"tool": "Write", "file_path": "tools/wheel_of.py", "content": BACKEND},
                               {"tool": "Write", "file_path": "app_marker.py", "content": "x = 1\n"},
                               {"tool": "Bash", "command": f"{PIP} {spec} && ls build/site > installed.txt"}])
        assert answers == ["allow"] * 4, session.describe()
        assert "app_marker.py" in (installed.root / "installed.txt").read_text(), session.describe()
    finally:
        session.close()
