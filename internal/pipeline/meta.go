package pipeline

import (
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/mediameta"
)

// readMeta records an image's camera metadata (EXIF) in m. A file whose
// metadata cannot be parsed is still processed; the reason is recorded.
func readMeta(m *model.Media, data []byte) {
	if m.Type != "image" {
		return
	}
	meta, err := mediameta.Read(data)
	if err != nil {
		m.Error = joinErr(m.Error, "metadata: "+err.Error())
		return
	}
	m.EXIF = meta
}
