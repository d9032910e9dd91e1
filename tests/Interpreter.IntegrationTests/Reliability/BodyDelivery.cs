namespace Interpreter.IntegrationTests.Reliability;

/// <summary>How a hostile request's body goes on the wire after its head.</summary>
internal enum BodyDelivery
{
    /// <summary>All of it, framed by the Content-Length the case declares (or its real length).</summary>
    Complete,

    /// <summary>Head with <c>Expect: 100-continue</c>; the body only once the server asks for it.</summary>
    ExpectContinue,

    /// <summary>Whatever body bytes the case has, then the client closes its sending side (EOF before the declared length).</summary>
    HalfClose,

    /// <summary>Whatever body bytes the case has, then the client waits, still connected, for the server to give up.</summary>
    Stall,
}
