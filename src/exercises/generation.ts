// lesson 08's exercises: in progress
export {};
