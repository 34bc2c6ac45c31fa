/// When a connection is stalled: it has not finished what it started. A connection that holds
/// part of a frame, or has not yet sent one complete frame (an unknown client, a peer still
/// authenticating), and has sent nothing for ``timeout`` is closed; a connection that finished
/// its last frame may stay idle as long as it likes (clients keep connections open).
///
/// This bounds what a hostile or broken process can hold: sending a few bytes of a frame header
/// and going silent, or connecting and sending nothing, costs a slot for at most ``timeout``.
struct StallWatch: Sendable {
    /// How long an unfinished connection may go without sending a byte.
    let timeout: Duration

    /// What the owner knows of one connection.
    struct Progress: Sendable {
        /// When its last bytes arrived (or when it was accepted).
        var lastActivity: ContinuousClock.Instant
        /// Bytes of an incomplete frame it holds.
        var partialBytes: Int
        /// Whether it finished its introduction: a client's first complete frame, a peer's
        /// authentication.
        var established: Bool
    }

    /// Why `progress` counts as stalled at `now`, or nil while it does not.
    func stall(_ progress: Progress, now: ContinuousClock.Instant) -> String? {
        let silent = now - progress.lastActivity
        guard silent >= timeout else { return nil }
        let milliseconds = silent.components.seconds * 1000 + silent.components.attoseconds / 1_000_000_000_000_000
        let quiet = "nothing for \(milliseconds) ms"
        if progress.partialBytes > 0 {
            return "stalled: \(progress.partialBytes) bytes of an unfinished frame and \(quiet)"
        }
        if !progress.established { return "stalled: no complete frame yet and \(quiet)" }
        return nil
    }
}
