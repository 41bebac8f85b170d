package classifier

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// The model file format is documented in FORMAT.md beside this file.
const (
	fileMagic   = "MRSDTXT1"
	fileVersion = 1
	maxHeader   = 1 << 20
)

type fileHeader struct {
	Version  int           `json:"version"`
	Labels   []Label       `json:"labels"`
	Features FeatureConfig `json:"features"`
	Bias     []float32     `json:"bias"`
	Platt    [][2]float32  `json:"platt"`
	// PlattArabic calibrates Arabic-script texts; absent, Platt does.
	PlattArabic [][2]float32 `json:"platt_arabic,omitempty"`
	Thresholds  []float64    `json:"thresholds"`
	// Scale is each label's quantisation step: weight = int16 * scale.
	Scale []float32 `json:"scale"`
	Info  Info      `json:"info"`
}

// WriteTo writes the model, gzip-compressed, in the format Decode reads.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	zw, err := gzip.NewWriterLevel(cw, gzip.BestCompression)
	if err != nil {
		return 0, err
	}
	h := fileHeader{
		Version: fileVersion, Labels: Labels[:], Features: m.cfg, Bias: m.bias[:],
		Platt: m.platt[scriptLatin][:], PlattArabic: m.platt[scriptArabic][:], Thresholds: m.thresholds[:], Scale: make([]float32, NumLabels), Info: m.info,
	}
	for i, v := range m.w {
		li := i % NumLabels
		h.Scale[li] = float32(math.Max(float64(h.Scale[li]), math.Abs(float64(v))))
	}
	for li := range h.Scale {
		h.Scale[li] /= math.MaxInt16
		if h.Scale[li] == 0 {
			h.Scale[li] = 1
		}
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(zw, 1<<16)
	bw.WriteString(fileMagic)
	binary.Write(bw, binary.LittleEndian, uint32(len(hb)))
	bw.Write(hb)
	var q [2]byte
	for i, v := range m.w {
		x := math.Round(float64(v / h.Scale[i%NumLabels]))
		binary.LittleEndian.PutUint16(q[:], uint16(int16(math.Max(math.MinInt16, math.Min(math.MaxInt16, x)))))
		bw.Write(q[:])
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("write model: %w", err)
	}
	if err := zw.Close(); err != nil {
		return cw.n, fmt.Errorf("write model: %w", err)
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

// Write writes p and counts the bytes.
func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// WriteFile writes the model to path.
func (m *Model) WriteFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := m.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("model %s: %w", path, err)
	}
	return f.Close()
}

// ReadFile reads a model file.
func ReadFile(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	return m, nil
}

// Decode reads a model from the bytes of a model file.
func Decode(b []byte) (*Model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("not a model file: %w", err)
	}
	br := bufio.NewReaderSize(zr, 1<<16)
	magic := make([]byte, len(fileMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != fileMagic {
		return nil, errors.New("not a model file (bad magic)")
	}
	var hl uint32
	if err := binary.Read(br, binary.LittleEndian, &hl); err != nil {
		return nil, fmt.Errorf("header length: %w", err)
	}
	if hl == 0 || hl > maxHeader {
		return nil, fmt.Errorf("header length %d out of range", hl)
	}
	hb := make([]byte, hl)
	if _, err := io.ReadFull(br, hb); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	var h fileHeader
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if h.Version != fileVersion {
		return nil, fmt.Errorf("header: version %d, this build reads %d", h.Version, fileVersion)
	}
	if len(h.Labels) != NumLabels || len(h.Bias) != NumLabels || len(h.Platt) != NumLabels ||
		len(h.Thresholds) != NumLabels || len(h.Scale) != NumLabels {
		return nil, fmt.Errorf("header: want %d labels, biases, Platt pairs, thresholds and scales", NumLabels)
	}
	if h.PlattArabic == nil {
		h.PlattArabic = h.Platt
	}
	if len(h.PlattArabic) != NumLabels {
		return nil, fmt.Errorf("header: want %d Arabic Platt pairs", NumLabels)
	}
	for i, l := range h.Labels {
		if l != Labels[i] {
			return nil, fmt.Errorf("header: label %d is %q, want %q", i, l, Labels[i])
		}
		if t := h.Thresholds[i]; !(t >= 0 && t <= 1) {
			return nil, fmt.Errorf("header: threshold %v of %s out of 0..1", t, l)
		}
		if s := h.Scale[i]; !(s > 0) || math.IsInf(float64(s), 0) {
			return nil, fmt.Errorf("header: scale %v of %s not positive", s, l)
		}
	}
	if err := h.Features.check(); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	// Read what is there before allocating for what the header claims.
	n := (1 << h.Features.Bits) * NumLabels
	raw, err := io.ReadAll(io.LimitReader(br, int64(2*n)))
	if err != nil {
		return nil, fmt.Errorf("weights: %w", err)
	}
	if len(raw) != 2*n {
		return nil, fmt.Errorf("weights: %d of %d read: file truncated", len(raw)/2, n)
	}
	m, err := newModel(h.Features, h.Info)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	sum := sha256.Sum256(b)
	m.version = hex.EncodeToString(sum[:6])
	copy(m.bias[:], h.Bias)
	copy(m.platt[scriptLatin][:], h.Platt)
	copy(m.platt[scriptArabic][:], h.PlattArabic)
	copy(m.thresholds[:], h.Thresholds)
	for i := range m.w {
		m.w[i] = float32(int16(binary.LittleEndian.Uint16(raw[2*i:]))) * h.Scale[i%NumLabels]
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, errors.New("trailing data after the weights")
	}
	return m, nil
}
