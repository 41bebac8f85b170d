module github.com/marsad/marsad

go 1.26.0

require golang.org/x/image v0.47.0
