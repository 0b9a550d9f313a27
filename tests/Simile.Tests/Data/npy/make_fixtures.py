# Regenerates the tiny .npy fixtures used by NpyFileTests with numpy (run: /usr/bin/python3 make_fixtures.py).
# Values are simple closed forms so the tests can recompute them without this script.
import numpy as np
from numpy.lib import format as fmt

def a(shape, dtype):
    n = int(np.prod(shape))
    return (np.arange(n, dtype=np.float64) * 0.5 - 1.25).reshape(shape).astype(dtype)

np.save("f4_2x3.npy", a((2, 3), "<f4"))
np.save("f8_2x3.npy", a((2, 3), "<f8"))
np.save("f8_1d_4.npy", a((4,), "<f8"))
np.save("f4_3d_2x3x4.npy", a((2, 3, 4), "<f4"))
for v in (2, 3):
    with open(f"f8_2x3_v{v}.npy", "wb") as f:
        fmt.write_array(f, a((2, 3), "<f8"), version=(v, 0))
np.save("f8_fortran_2x3.npy", np.asfortranarray(a((2, 3), "<f8")))
np.save("i8_2x3.npy", np.arange(6, dtype="<i8").reshape(2, 3))
np.save("f8_bigendian_2x3.npy", a((2, 3), ">f8"))
np.save("f8_0x3.npy", np.zeros((0, 3)))
