namespace Interpreter.Api.Features;

/// <summary>Endpoint conventions of the JSON bodies <see cref="JsonBodyBinder{TRequest}"/> reads.</summary>
internal static class JsonBodyEndpointExtensions
{
    /// <summary>
    /// Documents a JSON body of <typeparamref name="TRequest"/> while letting every Content-Type reach the binder:
    /// routing's own 415 and FastEndpoints' (for no Content-Type) have an empty or generic body, the binder's names the
    /// problem in the endpoint's own error shape.
    /// </summary>
    public static RouteHandlerBuilder AcceptsJsonBody<TRequest>(this RouteHandlerBuilder builder)
        where TRequest : notnull =>
        builder.Accepts<TRequest>("application/json", "*/*");
}
