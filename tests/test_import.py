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
