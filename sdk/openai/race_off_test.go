//go:build !race

package rastiropenai

const raceEnabled = false
