// Vite's `?worker` imports, typed for the editor's workers.
declare module '*?worker' {
  const WorkerFactory: new () => Worker;
  export default WorkerFactory;
}
