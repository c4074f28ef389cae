// What a child-process fixture is told by its test: environment variables it cannot run without.
export function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} not set`);
  return v;
}
