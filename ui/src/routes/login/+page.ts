import { preload } from '$lib/flows/preload';

export const load = preload('login');
