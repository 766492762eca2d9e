"""The generated MP4 is a well-formed ISO BMFF file with one decodable H.264 track."""

from __future__ import annotations

import struct

from specforge.mock.media import FRAMES, HEIGHT, WEBP_1X1, WIDTH, boxes, mp4_bytes


def child(data: bytes, path: list[bytes]) -> tuple[int, int]:
    """(offset, size) of the box at ``path``, descending through container boxes."""
    start, end = 0, len(data)
    for kind in path:
        found = {k: (o, s) for k, o, s in boxes(data, start, end)}
        offset, size = found[kind]
        header = 8 + (8 if kind in (b"stsd", b"dref") else 0)
        if kind == b"avc1":
            header = 8 + 78
        start, end = offset + header, offset + size
        last = (offset, size)
    return last


def test_top_level_boxes_and_brand() -> None:
    data = mp4_bytes()
    assert data[4:8] == b"ftyp" and data[8:12] == b"isom"
    assert [k for k, _, _ in boxes(data)] == [b"ftyp", b"mdat", b"moov"]
    assert 2_000 < len(data) < 10_000


def test_sample_table_points_at_the_mdat_payload() -> None:
    data = mp4_bytes()
    stbl = [b"moov", b"trak", b"mdia", b"minf", b"stbl"]
    offset, size = child(data, [*stbl, b"stsz"])
    sample_size, count = struct.unpack(">II", data[offset + 12 : offset + 20])
    sizes = struct.unpack(f">{count}I", data[offset + 20 : offset + 20 + 4 * count])
    assert sample_size == 0 and count == FRAMES
    stco, _ = child(data, [*stbl, b"stco"])
    (chunk_offset,) = struct.unpack(">I", data[stco + 16 : stco + 20])
    (_, mdat_offset, mdat_size) = boxes(data)[1]
    assert chunk_offset == mdat_offset + 8 and sum(sizes) == mdat_size - 8
    position = chunk_offset
    for sample in sizes:  # each sample is one length-prefixed IDR slice NAL unit
        (nal_length,) = struct.unpack(">I", data[position : position + 4])
        assert nal_length == sample - 4 and data[position + 4] == 0x65
        position += sample


def test_avc_configuration_and_dimensions() -> None:
    data = mp4_bytes()
    avc1, _ = child(data, [b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd", b"avc1"])
    assert struct.unpack(">HH", data[avc1 + 32 : avc1 + 36]) == (WIDTH, HEIGHT)
    avcc = data.index(b"avcC") - 4
    config = data[avcc + 8 :]
    assert config[:4] == bytes([1, 66, 0xC0, 10])  # version, Constrained Baseline, level 1.0
    (sps_length,) = struct.unpack(">H", config[6:8])
    assert config[8] == 0x67 and config[8 + sps_length + 3] == 0x68  # SPS then PPS
    tkhd = data.index(b"tkhd") - 4
    assert struct.unpack(">II", data[tkhd + 84 : tkhd + 92]) == (WIDTH << 16, HEIGHT << 16)


def test_webp_preview_is_a_riff_webp() -> None:
    assert WEBP_1X1[:4] == b"RIFF" and WEBP_1X1[8:12] == b"WEBP"
    assert struct.unpack("<I", WEBP_1X1[4:8])[0] == len(WEBP_1X1) - 8
