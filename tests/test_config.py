"""Settings resolve in one order (command line, environment, pyproject.toml,
defaults) and a bad value names where it came from."""

import pytest

from autograder.engine.config import (DEFAULT_MEMORY_BYTES, ConfigError, format_bytes, machine_memory,
                               parse_bytes, resolve)


def test_defaults_are_the_contracts(tmp_path):
    s = resolve({}, env={}, folder=tmp_path)
    assert (s.limits.time_seconds, s.limits.memory_bytes, s.limits.output_bytes) == \
        (10.0, 2 * 1024**3, 1024**2)
    assert s.seed is None


def test_precedence_cli_then_env_then_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.autograder]\ntimeout = 30\nmemory = "1GiB"\noutput = "2MiB"\nseed = 5\n')
    env = {"AUTOGRADER_TIMEOUT": "20", "AUTOGRADER_MEMORY": "512MiB"}
    s = resolve({"timeout": "7"}, env=env, folder=tmp_path)
    assert s.limits.time_seconds == 7.0            # command line wins
    assert s.limits.memory_bytes == 512 * 1024**2  # then the environment
    assert s.limits.output_bytes == 2 * 1024**2    # then pyproject.toml
    assert s.seed == 5


@pytest.mark.parametrize("cli, env, where", [
    ({"timeout": "soon"}, {}, "--timeout"),
    ({}, {"AUTOGRADER_MEMORY": "lots"}, "AUTOGRADER_MEMORY"),
    ({"seed": "-3"}, {}, "--seed"),
    ({"output": "1"}, {}, "--output"),
])
def test_bad_values_name_their_source(tmp_path, cli, env, where):
    with pytest.raises(ConfigError) as err:
        resolve(cli, env=env, folder=tmp_path)
    assert where in str(err.value)


def test_bad_pyproject_names_the_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.autograder]\ntimeout = -1\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml \[tool.autograder\] timeout"):
        resolve({}, env={}, folder=tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.autograder]\ntimeuot = 3\n")
    with pytest.raises(ConfigError, match="unknown key.*timeuot"):
        resolve({}, env={}, folder=tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.autograder\n")
    with pytest.raises(ConfigError, match="cannot read it"):
        resolve({}, env={}, folder=tmp_path)
    (tmp_path / "pyproject.toml").write_text("tool = 5\n")       # an AttributeError before
    with pytest.raises(ConfigError, match=r"pyproject.toml: tool = 5 must be a table"):
        resolve({}, env={}, folder=tmp_path)


def test_limits_beyond_the_machine_name_their_source(tmp_path):
    """99999999999GiB was accepted, and every exercise then 'ended' and
    scored 0; a cap larger than this machine's memory cannot be given."""
    too_much = f"{machine_memory() // 1024**3 + 1}GiB"
    (tmp_path / "pyproject.toml").write_text(f'[tool.autograder]\noutput = "{too_much}"\n')
    for cli, env, where in (({"memory": "99999999999GiB"}, {}, "--memory"),
                            ({}, {"AUTOGRADER_MEMORY": too_much}, "AUTOGRADER_MEMORY"),
                            ({}, {}, f"{tmp_path / 'pyproject.toml'} [tool.autograder] output")):
        with pytest.raises(ConfigError, match="more than") as err:
            resolve(cli, env=env, folder=tmp_path)
        assert str(err.value).startswith(where) and "\n" not in str(err.value)
    # A harness built here runs on another machine: only what no machine has is refused.
    assert resolve({"memory": too_much}, env={}, folder=tmp_path, machine=False
                   ).limits.memory_bytes > machine_memory()
    with pytest.raises(ConfigError, match="more than any machine"):
        resolve({"memory": "99999999999GiB"}, env={}, folder=tmp_path, machine=False)


def test_sizes_round_trip():
    assert parse_bytes("2GiB") == DEFAULT_MEMORY_BYTES
    assert parse_bytes("1.5 MiB") == int(1.5 * 1024**2)
    assert parse_bytes(1048576) == 1024**2
    assert format_bytes(DEFAULT_MEMORY_BYTES) == "2 GiB"
    with pytest.raises(ValueError):
        parse_bytes("2 parsecs")
