package sampledata

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"strconv"
)

// rng is the generator's single source of randomness: a PCG seeded from
// Options.Seed, so that a seed and a Now give the same workspace.
type rng struct{ r *rand.Rand }

func newRNG(seed int64, stream uint64) *rng {
	return &rng{r: rand.New(rand.NewPCG(uint64(seed), stream^0x9e3779b97f4a7c15))}
}

// n returns a uniform int in [0, n).
func (r *rng) n(n int) int {
	if n <= 1 {
		return 0
	}
	return int(r.r.Uint64N(uint64(n)))
}

// between returns a uniform int in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.n(hi-lo+1) }

// f returns a uniform float in [0, 1).
func (r *rng) f() float64 { return r.r.Float64() }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.r.Float64() < p }

func (r *rng) u64() uint64 { return r.r.Uint64() }

// pick returns a uniform element of s.
func pick[T any](r *rng, s []T) T { return s[r.n(len(s))] }

// weighted picks among items by weight, in O(log n) with precomputed
// cumulative weights.
type weighted[T any] struct {
	items []T
	cum   []float64
}

func newWeighted[T any](items []T, weight func(T) float64) *weighted[T] {
	w := &weighted[T]{items: items, cum: make([]float64, len(items))}
	total := 0.0
	for i, it := range items {
		total += weight(it)
		w.cum[i] = total
	}
	return w
}

func (w *weighted[T]) pick(r *rng) T {
	x := r.f() * w.cum[len(w.cum)-1]
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if w.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return w.items[lo]
}

const hexDigits = "0123456789abcdef"

// guid returns a random version-4 GUID string.
func (r *rng) guid() string {
	var b [16]byte
	r.fill(b[:])
	return formatGUID(b)
}

// guidBytes returns a random version-4 GUID.
func (r *rng) guidBytes() [16]byte {
	var b [16]byte
	r.fill(b[:])
	return b
}

func (r *rng) fill(b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := r.u64()
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	if len(b) == 16 {
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
	}
}

func formatGUID(b [16]byte) string {
	var out [36]byte
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j] = hexDigits[c>>4]
		out[j+1] = hexDigits[c&0xf]
		j += 2
	}
	return string(out[:])
}

// hexString returns n random lowercase hex digits.
func (r *rng) hexString(n int) string {
	out := make([]byte, n)
	var v uint64
	for i := range out {
		if i%16 == 0 {
			v = r.u64()
		}
		out[i] = hexDigits[v&0xf]
		v >>= 4
	}
	return string(out)
}

// hashes derives stable SHA1, SHA256 and MD5-looking strings from a key.
func hashes(key string) (sha1s, sha256s, md5s string) {
	h256 := sha256.Sum256([]byte(key))
	h1 := sha1.Sum([]byte(key))
	sha256s = hex.EncodeToString(h256[:])
	sha1s = hex.EncodeToString(h1[:])
	md5s = hex.EncodeToString(h256[8:24])
	return
}

// mac formats a random MAC address after prefix (which holds the first
// three octets) with the given separator, in upper case.
func (r *rng) mac(prefix string, sep byte) string {
	const upper = "0123456789ABCDEF"
	v := r.u64()
	buf := []byte(prefix)
	for i := 0; i < 3; i++ {
		buf = append(buf, sep, upper[(v>>4)&0xf], upper[v&0xf])
		v >>= 8
	}
	return string(buf)
}

// itoa formats an int.
func itoa(n int) string { return strconv.Itoa(n) }

// pad formats n with at least width digits.
func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// round2 rounds to two decimals.
func round2(f float64) float64 { return math.Round(f*100) / 100 }
