/// The requests in flight on one ``NodeConnection``, by request id. Ids are consecutive, so
/// each request's entry sits at `id - firstID` of an array: no hashing per request, in
/// whatever order the answers come.
struct InFlightRequests {
    /// The id of `starts[0]`.
    private var firstID: UInt64 = 1
    /// Where each request's bytes begin in the connection's outbound stream, from `firstID` on;
    /// -1 once answered. Offsets grow with the id.
    private var starts: [Int] = []
    /// `starts[..<head]` are all answered.
    private var head = 0
    /// Requests in flight.
    private(set) var count = 0

    /// Records request `id`, whose bytes begin at stream offset `start`. Precondition: `id` is
    /// the one after the last recorded (the first is 1).
    mutating func append(_ id: UInt64, start: Int) {
        precondition(id == firstID + UInt64(starts.count), "request id \(id) out of sequence")
        starts.append(start)
        count += 1
    }

    /// Marks request `id` answered; false when it is not in flight (never sent, or answered).
    mutating func remove(_ id: UInt64) -> Bool {
        guard id >= firstID + UInt64(head), id < firstID + UInt64(starts.count) else { return false }
        let index = Int(id - firstID)
        guard starts[index] >= 0 else { return false }
        starts[index] = -1
        count -= 1
        while head < starts.count && starts[head] < 0 { head += 1 }
        // Forget the answered prefix: at once when nothing is in flight, else in large steps so
        // the copying stays constant per request.
        if head == starts.count || head >= 4096 {
            firstID += UInt64(head)
            starts.removeFirst(head)
            head = 0
        }
        return true
    }

    /// Where the oldest request in flight begins in the outbound stream, or nil when none is.
    var oldestStart: Int? { head < starts.count ? starts[head] : nil }
}
