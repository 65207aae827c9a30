# Sourced by the scripts that need an X server. start_xvfb WxHxD starts
# Xvfb on a display it picks itself (-displayfd: the first free one, so a
# stale lock file or another Xvfb cannot collide), waits until that server
# accepts connections, and exports DISPLAY. XVFB_PID is the server's pid;
# the caller kills it when done.
start_xvfb() {
	_xvfb_fd=$(mktemp)
	Xvfb -displayfd 3 -screen 0 "$1" -nolisten tcp 3>"$_xvfb_fd" >/dev/null 2>&1 &
	XVFB_PID=$!
	_xvfb_i=0
	# Xvfb writes the display number once it is ready: wait up to 30 s.
	while [ ! -s "$_xvfb_fd" ]; do
		if ! kill -0 "$XVFB_PID" 2>/dev/null || [ "$_xvfb_i" -ge 300 ]; then
			rm -f "$_xvfb_fd"
			echo "Xvfb did not start" >&2
			return 1
		fi
		_xvfb_i=$((_xvfb_i + 1))
		sleep 0.1
	done
	DISPLAY=:$(head -n 1 "$_xvfb_fd")
	export DISPLAY
	rm -f "$_xvfb_fd"
}
