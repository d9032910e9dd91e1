namespace Interpreter.Executor.Tests.Kubernetes;

/// <summary>What the fake "kubelet" does with a new pod, one step per turn of a watch on it.</summary>
public enum PodStart
{
    /// <summary>ContainerCreating, then Running and Ready on 127.0.0.1.</summary>
    BecomesReady,

    /// <summary>The image is not on the node and the pull policy is Never.</summary>
    ImageNeverPull,

    /// <summary>Stays Pending (unschedulable) for ever.</summary>
    StaysPending,
}
