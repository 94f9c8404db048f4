"""Reads a TensorBoard event file the way TensorBoard does, independently of the kit: TFRecord framing with both masked
CRC-32C checks (computed here bit by bit from the Castagnoli polynomial), each record decoded by Google's protobuf
runtime (Debian's python3-protobuf) against tensorflow.Event / Summary / Summary.Value declared here with TensorFlow's
field numbers. Prints one JSON object per event: wall_time, step, file_version, values [{tag, simple_value}].
Exit 1 naming the record when a checksum fails or the file ends inside a record.
Usage: tfevents_reference.py EVENT_FILE"""
import json, struct, sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

POLY = 0x82F63B78  # CRC-32C (Castagnoli), reflected


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (POLY if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283  # the standard check value


def event_class():
    f = descriptor_pb2.FileDescriptorProto(name="event_reference.proto", package="tensorflow", syntax="proto3")
    T = descriptor_pb2.FieldDescriptorProto
    value = descriptor_pb2.DescriptorProto(name="Value")
    value.field.add(name="tag", number=1, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    value.field.add(name="simple_value", number=2, type=T.TYPE_FLOAT, label=T.LABEL_OPTIONAL)
    summary = f.message_type.add(name="Summary")
    summary.nested_type.append(value)
    summary.field.add(name="value", number=1, type=T.TYPE_MESSAGE, label=T.LABEL_REPEATED, type_name=".tensorflow.Summary.Value")
    event = f.message_type.add(name="Event")
    event.field.add(name="wall_time", number=1, type=T.TYPE_DOUBLE, label=T.LABEL_OPTIONAL)
    event.field.add(name="step", number=2, type=T.TYPE_INT64, label=T.LABEL_OPTIONAL)
    event.field.add(name="file_version", number=3, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    event.field.add(name="summary", number=5, type=T.TYPE_MESSAGE, label=T.LABEL_OPTIONAL, type_name=".tensorflow.Summary")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    return message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("tensorflow.Event"))


Event = event_class()
data = open(sys.argv[1], "rb").read()
pos, n = 0, 0
while pos < len(data):
    n += 1
    if pos + 12 > len(data):
        sys.exit(f"record {n}: the file ends inside its header")
    header = data[pos:pos + 8]
    (length,) = struct.unpack("<Q", header)
    (header_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
    if masked(crc32c(header)) != header_crc:
        sys.exit(f"record {n}: length checksum mismatch")
    body = data[pos + 12:pos + 12 + length]
    if len(body) < length or pos + 16 + length > len(data):
        sys.exit(f"record {n}: the file ends inside its data")
    (body_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
    if masked(crc32c(body)) != body_crc:
        sys.exit(f"record {n}: data checksum mismatch")
    ev = Event()
    ev.ParseFromString(body)
    print(json.dumps({"wall_time": ev.wall_time, "step": ev.step, "file_version": ev.file_version,
                      "values": [{"tag": v.tag, "simple_value": v.simple_value} for v in ev.summary.value]}))
    pos += 16 + length
