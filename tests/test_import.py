import subprocess
import sys


def test_import_chroma_loads_no_heavy_modules():
    code = (
        "import sys, chroma; chroma.__version__; "
        "heavy = [m for m in ('torch', 'numba', 'sklearn', 'scipy', 'skimage', 'matplotlib') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_names_resolve_lazily():
    import chroma

    assert callable(chroma.read_image) and callable(chroma.convert)
    assert "convert" in dir(chroma)
    try:
        chroma.no_such_name  # noqa: B018
    except AttributeError as err:
        assert "no_such_name" in str(err)
    else:
        raise AssertionError("expected AttributeError")


def test_subpackages_load_no_torch_or_sklearn():
    code = (
        "import sys, chroma.colorization, chroma.transfers, chroma.pipeline, chroma.compositing,"
        " chroma.toning, chroma.cli; "
        "import chroma.colorization.welsh, chroma.colorization.scribble; "
        "print(','.join(m for m in ('torch', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_python_dash_m_chroma_runs_the_cli():
    out = subprocess.run([sys.executable, "-m", "chroma", "--version"], capture_output=True,
                         text=True)
    assert out.returncode == 0 and out.stdout.startswith("chroma ")
    out = subprocess.run([sys.executable, "-m", "chroma"], capture_output=True, text=True)
    assert out.returncode == 2 and "usage" in out.stderr


def test_public_functions_are_plain_functions():
    import inspect

    import chroma

    for name in ("transfer", "colorize", "blend", "splash", "regrain", "tone", "recolor"):
        fn = getattr(chroma, name)
        assert inspect.isfunction(fn), name
        assert "image" in inspect.signature(fn).parameters or name == "blend", name
