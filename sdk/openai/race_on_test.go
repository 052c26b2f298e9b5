//go:build race

package rastiropenai

// raceEnabled tells a test built with the race detector, under which
// sync.Pool drops items at random (allocation counts vary).
const raceEnabled = true
