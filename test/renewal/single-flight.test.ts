import { SingleFlight } from '../../lib/renewal/single-flight';

/** A task that settles when the test says so and counts its runs. */
function controlled() {
  let settle!: { resolve: (value: string) => void; reject: (error: Error) => void };
  const task = Object.assign(
    jest.fn(() => new Promise<string>((resolve, reject) => (settle = { resolve, reject }))),
    { settle: () => settle },
  );
  return task;
}

it('runs one task per key at a time; callers in the meantime share its result', async () => {
  const flight = new SingleFlight<string>();
  const task = controlled();
  const other = jest.fn(() => Promise.resolve('other'));

  const first = flight.run('key', task);
  const joined = flight.run('key', task);
  const separate = flight.run('another key', other);
  await Promise.resolve();
  task.settle().resolve('result');

  await expect(Promise.all([first, joined, separate])).resolves.toEqual(['result', 'result', 'other']);
  expect(joined).toBe(first);
  expect(task).toHaveBeenCalledTimes(1);
  expect(other).toHaveBeenCalledTimes(1);
});

it('shares an error with every caller, a throwing task included', async () => {
  const flight = new SingleFlight<string>();
  const task = jest.fn(() => {
    throw new Error('boom');
  });

  const results = await Promise.all(
    [flight.run('key', task), flight.run('key', task)].map((p) => p.catch((e: unknown) => e)),
  );

  expect(results[0]).toBeInstanceOf(Error);
  expect(results[1]).toBe(results[0]);
  expect(task).toHaveBeenCalledTimes(1);
});

it('forgets a key once its task settles: the next call runs its task again', async () => {
  const flight = new SingleFlight<string>();
  const task = jest
    .fn()
    .mockResolvedValueOnce('first')
    .mockRejectedValueOnce(new Error('second'))
    .mockResolvedValue('third');

  await expect(flight.run('key', task)).resolves.toBe('first');
  await expect(flight.run('key', task)).rejects.toThrow('second');
  await expect(flight.run('key', task)).resolves.toBe('third');
  expect(task).toHaveBeenCalledTimes(3);
});
