package queue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// segmentMagic starts every segment file.
const segmentMagic = "GSQ1"

// maxRecord bounds one record's payload, so a corrupt length cannot ask
// for gigabytes.
const maxRecord = 256 << 20

// ErrCorrupt marks a segment that does not decode.
var ErrCorrupt = errors.New("corrupt queue segment")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// encodeSegment returns a segment holding the payloads as records.
func encodeSegment(payloads ...[]byte) []byte {
	n := len(segmentMagic)
	for _, p := range payloads {
		n += 8 + len(p)
	}
	b := make([]byte, 0, n)
	b = append(b, segmentMagic...)
	for _, p := range payloads {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p)))
		b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(p, castagnoli))
		b = append(b, p...)
	}
	return b
}

// decodeSegment returns the records of a segment. Any damage — a wrong
// magic, a truncated record, a checksum mismatch — is an error wrapping
// ErrCorrupt; the payloads alias data.
func decodeSegment(data []byte) ([][]byte, error) {
	if len(data) < len(segmentMagic) || string(data[:len(segmentMagic)]) != segmentMagic {
		return nil, fmt.Errorf("%w: bad magic", ErrCorrupt)
	}
	var out [][]byte
	rest := data[len(segmentMagic):]
	for off := len(segmentMagic); len(rest) > 0; {
		if len(rest) < 8 {
			return nil, fmt.Errorf("%w: truncated record header at offset %d", ErrCorrupt, off)
		}
		n := binary.LittleEndian.Uint32(rest)
		sum := binary.LittleEndian.Uint32(rest[4:])
		if n > maxRecord || uint64(n) > uint64(len(rest)-8) {
			return nil, fmt.Errorf("%w: record at offset %d claims %d bytes, %d remain", ErrCorrupt, off, n, len(rest)-8)
		}
		p := rest[8 : 8+n]
		if crc32.Checksum(p, castagnoli) != sum {
			return nil, fmt.Errorf("%w: checksum mismatch in record at offset %d", ErrCorrupt, off)
		}
		out = append(out, p)
		rest = rest[8+n:]
		off += 8 + int(n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no records", ErrCorrupt)
	}
	return out, nil
}
