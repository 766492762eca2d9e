"""The assets the mock serves: a small, genuinely decodable MP4 and a 1x1 WebP preview.

The MP4 is generated in code rather than bundled so its structure is reviewable: an ISO BMFF file
(``ftyp``, ``mdat``, ``moov``) holding one H.264 Constrained Baseline track whose frames are IDR
slices of I_PCM macroblocks (raw samples, no transform or entropy coding), which every decoder
supports. 32x32 pixels, 4 frames at 4 fps (1 s), about 6.9 KB. Checked by decoding it with
FFmpeg (PyAV 18.1: h264 Constrained Baseline, 4 key frames, luma 40/90/140/190 as written); the
test suite checks the container structure, since no decoder is a dependency."""

from __future__ import annotations

import base64
import functools
import struct

WIDTH = 32
HEIGHT = 32
FPS = 4
FRAMES = 4
TIMESCALE = 1000

#: 1x1 lossless WebP (RIFF container), served for the ``thumbnail``/``spritesheet`` content variants
WEBP_1X1 = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")


class _Bits:
    """MSB-first bit writer with the H.264 Exp-Golomb codes."""

    def __init__(self) -> None:
        self.bits: list[int] = []

    def u(self, count: int, value: int) -> None:
        self.bits.extend((value >> (count - 1 - i)) & 1 for i in range(count))

    def ue(self, value: int) -> None:
        code = value + 1
        length = code.bit_length()
        self.u(length - 1, 0)
        self.u(length, code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align_zero(self) -> None:
        while len(self.bits) % 8:
            self.bits.append(0)

    def raw(self, data: bytes) -> None:
        for byte in data:
            self.u(8, byte)

    def trailing(self) -> bytes:
        self.bits.append(1)
        self.align_zero()
        return bytes(int("".join(map(str, self.bits[i : i + 8])), 2) for i in range(0, len(self.bits), 8))


def _nal(header: int, rbsp: bytes) -> bytes:
    """NAL unit with emulation prevention (0x000003 before any 00 00 0x with x <= 3)."""
    out = bytearray([header])
    zeros = 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def _sps() -> bytes:
    b = _Bits()
    b.u(8, 66)  # profile_idc: Baseline
    b.u(8, 0xC0)  # constraint_set0/1: Constrained Baseline
    b.u(8, 10)  # level 1.0 (99 macroblocks per frame is plenty)
    b.ue(0)  # seq_parameter_set_id
    b.ue(0)  # log2_max_frame_num_minus4
    b.ue(2)  # pic_order_cnt_type 2: output order = decode order
    b.ue(0)  # max_num_ref_frames (intra only)
    b.u(1, 0)  # gaps_in_frame_num_value_allowed_flag
    b.ue(WIDTH // 16 - 1)
    b.ue(HEIGHT // 16 - 1)
    b.u(1, 1)  # frame_mbs_only_flag
    b.u(1, 1)  # direct_8x8_inference_flag
    b.u(1, 0)  # frame_cropping_flag
    b.u(1, 0)  # vui_parameters_present_flag
    return _nal(0x67, b.trailing())


def _pps() -> bytes:
    b = _Bits()
    b.ue(0)  # pic_parameter_set_id
    b.ue(0)  # seq_parameter_set_id
    b.u(1, 0)  # entropy_coding_mode_flag: CAVLC
    b.u(1, 0)  # bottom_field_pic_order_in_frame_present_flag
    b.ue(0)  # num_slice_groups_minus1
    b.ue(0)  # num_ref_idx_l0_default_active_minus1
    b.ue(0)  # num_ref_idx_l1_default_active_minus1
    b.u(1, 0)  # weighted_pred_flag
    b.u(2, 0)  # weighted_bipred_idc
    b.se(0)  # pic_init_qp_minus26
    b.se(0)  # pic_init_qs_minus26
    b.se(0)  # chroma_qp_index_offset
    b.u(1, 0)  # deblocking_filter_control_present_flag
    b.u(1, 0)  # constrained_intra_pred_flag
    b.u(1, 0)  # redundant_pic_cnt_present_flag
    return _nal(0x68, b.trailing())


def _idr_slice(index: int) -> bytes:
    b = _Bits()
    b.ue(0)  # first_mb_in_slice
    b.ue(7)  # slice_type: I (all slices of the picture)
    b.ue(0)  # pic_parameter_set_id
    b.u(4, 0)  # frame_num (log2_max_frame_num = 4)
    b.ue(index % 2)  # idr_pic_id: consecutive IDR pictures differ
    b.u(1, 0)  # no_output_of_prior_pics_flag
    b.u(1, 0)  # long_term_reference_flag
    b.se(0)  # slice_qp_delta
    luma = 40 + 50 * index  # a brightening grey ramp, one level per frame
    for mb in range((WIDTH // 16) * (HEIGHT // 16)):
        b.ue(25)  # mb_type: I_PCM
        b.align_zero()  # pcm_alignment_zero_bit
        b.raw(bytes([min(235, luma + 8 * mb)]) * 256)
        b.raw(bytes([128]) * 64)  # Cb
        b.raw(bytes([128 + 10 * index]) * 64)  # Cr
    return _nal(0x65, b.trailing())


def _box(kind: bytes, *parts: bytes) -> bytes:
    payload = b"".join(parts)
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _full(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags), *parts)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


@functools.cache
def mp4_bytes() -> bytes:
    """The MP4 file (cached: it is the same for every job)."""
    sps, pps = _sps(), _pps()
    samples = [_idr_slice(i) for i in range(FRAMES)]
    chunk = b"".join(struct.pack(">I", len(s)) + s for s in samples)
    duration = TIMESCALE * FRAMES // FPS
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 512), b"isom", b"iso2", b"avc1", b"mp41")
    mdat = _box(b"mdat", chunk)
    avcc = _box(
        b"avcC",
        bytes([1, 66, 0xC0, 10, 0xFF, 0xE1]),
        struct.pack(">H", len(sps)),
        sps,
        bytes([1]),
        struct.pack(">H", len(pps)),
        pps,
    )
    avc1 = _box(
        b"avc1",
        bytes(6),
        struct.pack(">H", 1),  # data_reference_index
        bytes(16),
        struct.pack(">HH", WIDTH, HEIGHT),
        struct.pack(">II", 0x480000, 0x480000),
        bytes(4),
        struct.pack(">H", 1),
        bytes([9]) + b"specforge".ljust(31, b"\0"),
        struct.pack(">Hh", 0x18, -1),
        avcc,
    )
    stbl = _box(
        b"stbl",
        _full(b"stsd", 0, 0, struct.pack(">I", 1), avc1),
        _full(b"stts", 0, 0, struct.pack(">III", 1, FRAMES, TIMESCALE // FPS)),
        _full(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, FRAMES, 1)),
        _full(
            b"stsz",
            0,
            0,
            struct.pack(">II", 0, FRAMES),
            b"".join(struct.pack(">I", 4 + len(s)) for s in samples),
        ),
        _full(b"stco", 0, 0, struct.pack(">II", 1, len(ftyp) + 8)),
    )
    minf = _box(
        b"minf",
        _full(b"vmhd", 0, 1, bytes(8)),
        _box(b"dinf", _full(b"dref", 0, 0, struct.pack(">I", 1), _full(b"url ", 0, 1))),
        stbl,
    )
    mdia = _box(
        b"mdia",
        _full(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, TIMESCALE, duration, 0x55C4, 0)),
        _full(b"hdlr", 0, 0, bytes(4), b"vide", bytes(12), b"VideoHandler\0"),
        minf,
    )
    tkhd = _full(
        b"tkhd",
        0,
        3,
        struct.pack(">IIII", 0, 0, 1, 0),
        struct.pack(">I", duration),
        bytes(8),
        struct.pack(">hhHH", 0, 0, 0, 0),
        _MATRIX,
        struct.pack(">II", WIDTH << 16, HEIGHT << 16),
    )
    mvhd = _full(
        b"mvhd",
        0,
        0,
        struct.pack(">IIII", 0, 0, TIMESCALE, duration),
        struct.pack(">IH", 0x10000, 0x100),
        bytes(10),
        _MATRIX,
        bytes(24),
        struct.pack(">I", 2),
    )
    moov = _box(b"moov", mvhd, _box(b"trak", tkhd, mdia))
    return ftyp + mdat + moov


def boxes(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[bytes, int, int]]:
    """Top-level ISO BMFF boxes of ``data[start:end]`` as (type, offset, size); for tests and checks."""
    end = len(data) if end is None else end
    found = []
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size < 8 or offset + size > end:
            raise ValueError(f"bad box {kind!r} at {offset}")
        found.append((kind, offset, size))
        offset += size
    if offset != end:
        raise ValueError(f"trailing bytes at {offset}")
    return found
