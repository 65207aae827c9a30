package app

import (
	"io"
	"log/slog"
	"os"
	"strings"
)

// LogEnv names the environment variable that turns on the diagnostic log
// ("debug" or "info"); the command line's --debug does the same.
const LogEnv = "TPPWIZARD_LOG"

// NewLogger is the diagnostic log both front ends write to w: nothing
// unless level is "debug" or "info". It never holds a secret: requests and
// answers are logged as records keep them, credentials masked.
func NewLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(strings.TrimSpace(level)) {
	case "debug":
		l = slog.LevelDebug
	case "info":
		l = slog.LevelInfo
	default:
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// LoggerFromEnv is the log TPPWIZARD_LOG asks for, on standard error.
func LoggerFromEnv() *slog.Logger { return NewLogger(os.Stderr, os.Getenv(LogEnv)) }

// SetLog makes the app, its engine and every bank exchange write to l.
func (a *App) SetLog(l *slog.Logger) {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	a.log = l
	a.Engine.Log = l
}

// Log is the app's diagnostic log.
func (a *App) Log() *slog.Logger { return a.log }
