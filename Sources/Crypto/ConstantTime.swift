/// Whether `a` and `b` hold the same bytes, in a time that depends only on their lengths, not
/// on where they first differ: for comparing a received MAC or signature with the expected one,
/// so a forger cannot learn the expected value byte by byte from response times.
///
/// Lengths are not secret (every code of one algorithm has the same length): unequal lengths
/// return false at once.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}
