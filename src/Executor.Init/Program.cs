using Ashlar.Executor.Init;

// Only ever started by the executor, with the container spec on fd 3 and a status pipe on fd 4.
return ContainerInit.Run();
