import Remoting
import Testing

@Suite struct RemotingResponseTests {
    @Test func responseEchoesTheOpaqueAndSetsTheResponseFlag() throws {
        let request = try RemotingCommand.decode(RemotingSamples.frame(json: RemotingSamples.cppSendMessageHeader))
        let response = RemotingCommand.response(
            to: request, code: .success, extFields: ["queueOffset": "12"], body: [1, 2])
        #expect(response.opaque == request.opaque)
        #expect(response.flags == .response && response.isResponse && !response.expectsResponse)
        #expect(response.responseCode == .success)
        #expect(response.version == RemotingCommand.serverVersion && response.language == .java)
        #expect(Array(response.body) == [1, 2])
        let decoded = try RemotingCommand.decode(try response.encoded())
        #expect(decoded == response)
    }

    @Test func unsupportedCodesGetCode3WithJavasRemark() throws {
        let request = RemotingCommand(code: 999, language: .cpp, version: 63, opaque: 42)
        let answer = RemotingCommand.requestCodeNotSupported(request)
        #expect(answer.responseCode == .requestCodeNotSupported)
        #expect(answer.code == 3 && answer.opaque == 42 && answer.isResponse)
        #expect(answer.remark == " request type 999 not supported")
        let bytes = try answer.encoded()
        #expect(
            String(decoding: bytes[8...], as: UTF8.self)
                == #"{"code":3,"flag":1,"language":"JAVA","opaque":42,"remark":" request type 999 not supported","#
                + #""serializeTypeCurrentRPC":"JSON","version":401}"#)
    }

    @Test func oneWayRequestsExpectNoResponse() {
        #expect(!RemotingCommand(code: 15, opaque: 1, flags: .oneWay).expectsResponse)
        #expect(RemotingCommand(code: 15, opaque: 1).expectsResponse)
    }

    @Test func codesCarryTheirJavaNames() {
        #expect(RequestCode.getRouteInfoByTopic.description == "GET_ROUTEINFO_BY_TOPIC (105)")
        #expect(RequestCode(rawValue: 999).description == "request code 999")
        #expect(ResponseCode.queryNotFound.description == "QUERY_NOT_FOUND (22)")
        #expect(Set(RequestCode.named.map(\.code.rawValue)).count == RequestCode.named.count)
        #expect(Set(ResponseCode.named.map(\.code.rawValue)).count == ResponseCode.named.count)
        #expect(
            RequestCode.named.map(\.code.rawValue) == [
                10, 11, 12, 14, 15, 17, 21, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 103, 105, 106, 215,
                310, 320, 361,
            ])
        #expect(
            ResponseCode.named.map(\.code.rawValue) == [0, 1, 2, 3, 10, 11, 12, 13, 14, 16, 17, 19, 20, 21, 22])
        #expect(LanguageCode(name: "CPP") == .cpp && LanguageCode.cpp.rawValue == 1)
        #expect(LanguageCode.allCases.map(\.rawValue) == Array(0...12))
    }

    @Test func extFieldsKeepTheirOrderAndReplaceInPlace() {
        var fields: ExtFields = ["b": "1", "a": "2"]
        fields["c"] = "3"
        fields["b"] = "9"
        #expect(fields.fields.map(\.name) == ["b", "a", "c"])
        #expect(fields["b"] == "9")
        fields["a"] = nil
        #expect(fields.description == "{b=9, c=3}")
    }
}
